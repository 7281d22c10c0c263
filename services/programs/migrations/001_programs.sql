create table programs.programs (
  id uuid primary key default gen_random_uuid(),
  -- the feed's guid (RSS) or id (Atom): the upsert key, so a sync run twice changes nothing
  guid text not null unique,
  title text not null,
  summary text,
  category text,
  link text,
  starts_at timestamptz,
  ends_at timestamptz,
  feed text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(category, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'C')
  ) stored
);
create index programs_search on programs.programs using gin (search);
create index programs_schedule on programs.programs ((coalesce(starts_at, 'infinity'::timestamptz)), id);
create index programs_category on programs.programs (lower(category));

create table programs.sync_runs (
  id uuid primary key default gen_random_uuid(),
  trigger text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  added integer not null default 0,
  updated integer not null default 0,
  error text
);

create table programs.registrations (
  program_id uuid not null references programs.programs (id) on delete cascade,
  user_id uuid not null,
  registered_at timestamptz not null default now(),
  primary key (program_id, user_id)
);
