-- Pre-publication: a new key is published (in the JWKS) before it signs. It signs from
-- activates_at until retired_at, and stays published for a grace period after retired_at.
alter table identity.signing_keys add column activates_at timestamptz;
update identity.signing_keys set activates_at = created_at;
alter table identity.signing_keys alter column activates_at set not null, alter column activates_at set default now();
