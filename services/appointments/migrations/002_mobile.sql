-- Delta sync: every insert and update takes the next number of one sequence, so "what changed
-- since N" is an index range; cancelled and declined appointments stay and read as tombstones.
create sequence appointments.change_seq;
alter table appointments.appointments
  add column change_seq bigint not null default nextval('appointments.change_seq'),
  -- The effective time of the last write (a phone's corrected clock, or the server's): a later
  -- write with an earlier time loses (last-write-wins).
  add column written_at timestamptz;
create function appointments.next_change_seq() returns trigger language plpgsql as $$
begin
  new.change_seq := nextval('appointments.change_seq');
  return new;
end $$;
create trigger appointments_change_seq before update on appointments.appointments
  for each row execute function appointments.next_change_seq();
create index appointments_changes on appointments.appointments (student_id, change_seq);

-- What the student is told: one notice per status change made by someone else.
create table appointments.notices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  appointment_id uuid not null references appointments.appointments (id) on delete cascade,
  status text not null,
  title text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notices_by_user on appointments.notices (user_id, created_at desc, id desc);

-- Push: the devices a user registered, and a transactional outbox written with the change itself.
create table appointments.devices (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  token text not null unique,
  platform text not null check (platform in ('ios', 'android')),
  app_version text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index devices_by_user on appointments.devices (user_id);

create table appointments.push_outbox (
  id bigint generated always as identity primary key,
  device_id uuid not null references appointments.devices (id) on delete cascade,
  notice_id uuid not null references appointments.notices (id) on delete cascade,
  payload jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (device_id, notice_id)
);
create index push_outbox_due on appointments.push_outbox (next_attempt_at) where state = 'pending';
