import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Incident management (issue 16): residents' public posts become messages.
 * - `message.source`: where a message came from (tg, vk: the residents' bots; vk_wall, vk_page, ok,
 *   web, open311, other: open sources); `message.answer_target`: where its approved answers go
 *   (`chat`: the resident's messenger, `source_comment`: a comment under the source post through
 *   the outbox, `by_hand`: an official publishes it and records the URL); lat/lon may be null for
 *   an open-source message accepted without a point.
 * - `incident`: the triage queue (one row per source URL, so every intake path is idempotent).
 * - `incident_source`: public VK communities polled per municipality, with the last post seen.
 * - `incident_rule`: keyword stems per category that pick posts from monitored pages.
 * - `first_response`: the one-working-hour draft rule per accepted open-source message, met or late.
 * - staff role `integration`: an organisation's system whose key posts Open311 service requests.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message ADD COLUMN source text NOT NULL DEFAULT 'other'
      CHECK (source IN ('tg', 'vk', 'vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other'));
    UPDATE message SET source = CASE WHEN open_source THEN 'other' ELSE coalesce(channel, 'other') END;
    ALTER TABLE message ALTER COLUMN source DROP DEFAULT;
    -- A writer that names no source (the bots' filing, bulk loads) gets the one its channel implies.
    CREATE FUNCTION message_default_source() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.source IS NULL THEN NEW.source := CASE WHEN NEW.open_source THEN 'other' ELSE coalesce(NEW.channel, 'other') END; END IF; RETURN NEW; END $$;
    CREATE TRIGGER message_source_default BEFORE INSERT ON message FOR EACH ROW EXECUTE FUNCTION message_default_source();
    ALTER TABLE message ADD COLUMN answer_target text NOT NULL DEFAULT 'chat' CHECK (answer_target IN ('chat', 'source_comment', 'by_hand'));
    ALTER TABLE message ADD COLUMN published_reply_url text;
    ALTER TABLE message ADD COLUMN published_reply_at timestamptz;
    ALTER TABLE message ALTER COLUMN lat DROP NOT NULL;
    ALTER TABLE message ALTER COLUMN lon DROP NOT NULL;
    ALTER TABLE message ADD CONSTRAINT message_point_both CHECK ((lat IS NULL) = (lon IS NULL));
    ALTER TABLE staff DROP CONSTRAINT staff_role_check;
    ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('operator', 'curator', 'moderator', 'executor', 'responsible', 'integration'));
    CREATE TABLE incident_source (
      id serial PRIMARY KEY,
      municipality_id int NOT NULL REFERENCES municipality(id),
      kind text NOT NULL DEFAULT 'vk_page' CHECK (kind IN ('vk_page')),
      owner_id bigint NOT NULL CHECK (owner_id <> 0),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      active boolean NOT NULL DEFAULT true,
      last_post_id bigint NOT NULL DEFAULT 0,
      last_comment_id bigint NOT NULL DEFAULT 0,
      last_polled_at timestamptz,
      created_at timestamptz NOT NULL,
      UNIQUE (municipality_id, owner_id)
    );
    CREATE TABLE incident_rule (
      id serial PRIMARY KEY,
      municipality_id int NOT NULL REFERENCES municipality(id),
      category_id int NOT NULL REFERENCES category(id),
      stems text[] NOT NULL CHECK (cardinality(stems) BETWEEN 1 AND 100),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX incident_rule_municipality_idx ON incident_rule (municipality_id);
    CREATE TABLE incident (
      id serial PRIMARY KEY,
      municipality_id int REFERENCES municipality(id),
      source text NOT NULL CHECK (source IN ('vk_wall', 'vk_page', 'ok', 'web', 'open311', 'other')),
      source_url text NOT NULL UNIQUE CHECK (char_length(source_url) BETWEEN 1 AND 2000),
      source_ref jsonb NOT NULL DEFAULT '{}',
      incident_source_id int REFERENCES incident_source(id) ON DELETE SET NULL,
      author_name text,
      text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
      posted_at timestamptz NOT NULL,
      lat double precision CHECK (lat BETWEEN -90 AND 90),
      lon double precision CHECK (lon BETWEEN -180 AND 180),
      photos jsonb NOT NULL DEFAULT '[]',
      suggested_category_id int REFERENCES category(id),
      state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'accepted', 'dismissed')),
      dismiss_reason text,
      message_id int REFERENCES message(id),
      triaged_by int REFERENCES staff(id),
      triaged_at timestamptz,
      created_at timestamptz NOT NULL,
      CHECK ((lat IS NULL) = (lon IS NULL)),
      CHECK (state <> 'dismissed' OR dismiss_reason IS NOT NULL),
      CHECK (state <> 'accepted' OR message_id IS NOT NULL)
    );
    CREATE INDEX incident_queue_idx ON incident (state, id);
    CREATE TABLE first_response (
      message_id int PRIMARY KEY REFERENCES message(id),
      accepted_at timestamptz NOT NULL,
      due_at timestamptz NOT NULL,
      drafted_at timestamptz,
      met boolean,
      working_minutes int
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP TABLE first_response;
    DROP TABLE incident;
    DROP TABLE incident_rule;
    DROP TABLE incident_source;
    -- Fails while integration keys' staff rows exist: deactivate and remove them first.
    ALTER TABLE staff DROP CONSTRAINT staff_role_check;
    ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('operator', 'curator', 'moderator', 'executor', 'responsible'));
    -- Fails while messages without a point exist: they must get one (or go) before a rollback.
    ALTER TABLE message DROP CONSTRAINT message_point_both;
    ALTER TABLE message ALTER COLUMN lat SET NOT NULL;
    ALTER TABLE message ALTER COLUMN lon SET NOT NULL;
    ALTER TABLE message DROP COLUMN published_reply_at;
    ALTER TABLE message DROP COLUMN published_reply_url;
    ALTER TABLE message DROP COLUMN answer_target;
    DROP TRIGGER message_source_default ON message;
    DROP FUNCTION message_default_source();
    ALTER TABLE message DROP COLUMN source;
  `,
  );
}
