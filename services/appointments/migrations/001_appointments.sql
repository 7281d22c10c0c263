create table appointments.appointments (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null,
  staff_id uuid,
  program_id uuid,
  service_type text not null,
  starts_at timestamptz not null,
  status text not null default 'requested'
    check (status in ('requested', 'confirmed', 'declined', 'completed', 'cancelled')),
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- No double booking: one live appointment per slot (service type, start, staff member or none).
-- The database enforces it, so concurrent bookings cannot both pass a read-then-write check.
create unique index appointments_slot_taken on appointments.appointments (
  service_type, starts_at, coalesce(staff_id, '00000000-0000-0000-0000-000000000000'::uuid)
) where status in ('requested', 'confirmed');

create index appointments_by_student on appointments.appointments (student_id, starts_at, id);
create index appointments_by_staff on appointments.appointments (staff_id, starts_at, id);

-- Audit log: every change, who made it, when, from which status to which.
create table appointments.appointment_events (
  id bigint generated always as identity primary key,
  appointment_id uuid not null references appointments.appointments (id) on delete cascade,
  actor_id uuid not null,
  actor_roles text[] not null,
  at timestamptz not null default now(),
  from_status text,
  to_status text not null,
  changes jsonb not null default '{}'
);
create index appointment_events_by_appointment on appointments.appointment_events (appointment_id, at);
