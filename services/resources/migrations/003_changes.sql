-- Delta sync: every insert and update takes the next number of one sequence, so "what changed
-- since N" is an index range (the mobile BFF's /sync).
create sequence resources.change_seq;
alter table resources.resources add column change_seq bigint not null default nextval('resources.change_seq');
create function resources.next_change_seq() returns trigger language plpgsql as $$
begin
  new.change_seq := nextval('resources.change_seq');
  return new;
end $$;
create trigger resources_change_seq before update on resources.resources
  for each row execute function resources.next_change_seq();
create index resources_changes on resources.resources (change_seq);
