create table resources.resources (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  description text,
  current_version integer not null default 1,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index resources_by_created on resources.resources (created_at desc, id desc);

-- Every uploaded file is a version; replacing the file adds one and keeps the old ones.
create table resources.resource_versions (
  resource_id uuid not null references resources.resources (id) on delete cascade,
  version integer not null,
  blob_key text not null,
  size bigint not null,
  sha256 text not null,
  content_type text not null,
  filename text,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (resource_id, version)
);
