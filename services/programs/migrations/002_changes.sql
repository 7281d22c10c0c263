-- Delta sync: every insert and update takes the next number of one sequence, so "what changed
-- since N" is an index range (the mobile BFF's /sync).
create sequence programs.change_seq;
alter table programs.programs add column change_seq bigint not null default nextval('programs.change_seq');
create function programs.next_change_seq() returns trigger language plpgsql as $$
begin
  new.change_seq := nextval('programs.change_seq');
  return new;
end $$;
create trigger programs_change_seq before update on programs.programs
  for each row execute function programs.next_change_seq();
create index programs_changes on programs.programs (change_seq);
