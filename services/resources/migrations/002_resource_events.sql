-- Audit log: who published or changed which resource, when, and what changed.
create table resources.resource_events (
  id bigint generated always as identity primary key,
  resource_id uuid not null references resources.resources (id) on delete cascade,
  actor_id uuid not null,
  action text not null check (action in ('published', 'updated')),
  at timestamptz not null default now(),
  changes jsonb not null default '{}'
);
create index resource_events_by_resource on resources.resource_events (resource_id, id);
create index resource_events_by_actor on resources.resource_events (actor_id, id);
