-- Users, their external (SSO) identities, refresh-token families, signing keys, login throttling.
create table identity.users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text,
  -- null for users who only ever signed in through SSO
  password_hash text,
  roles text[] not null default '{student}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_roles_valid check (roles <@ array['student', 'staff', 'admin']::text[] and cardinality(roles) > 0)
);
create unique index users_email_unique on identity.users (lower(email));

create table identity.external_identities (
  issuer text not null,
  subject text not null,
  user_id uuid not null references identity.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (issuer, subject)
);

-- One family per login; every refresh rotates within it. Reusing a rotated token revokes it.
create table identity.refresh_families (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references identity.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text
);

create table identity.refresh_tokens (
  -- sha256 of the opaque token: a database leak does not leak usable tokens
  token_hash text primary key,
  family_id uuid not null references identity.refresh_families (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  -- set when the token is exchanged; a second exchange is a reuse
  used_at timestamptz
);
create index refresh_tokens_family on identity.refresh_tokens (family_id);

create table identity.signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null default now(),
  -- no longer signs; stays published until the last token it signed has expired
  retired_at timestamptz
);

create table identity.login_failures (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);
