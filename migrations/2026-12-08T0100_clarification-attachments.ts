import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * A resident's reply to a clarification request may bring photos and a place
 * (core/messages/clarification.service.ts): the photos join the message's own (`message_photo`,
 * within its limit, so the cards and the media copier see them) and point at the reply that
 * brought them (`comment_id`); the reply counts them (`comment.photos`) and keeps the place
 * (`comment.lat`, `comment.lon`) as the resident gave it — the message's geotag is not moved.
 * Such a reply may have no words: its text may be empty only when it carries photos or a place.
 * Down: the replies without words get a dash for a text, and the photos stay the message's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE comment ADD COLUMN photos smallint NOT NULL DEFAULT 0 CHECK (photos >= 0);
    ALTER TABLE comment ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90);
    ALTER TABLE comment ADD COLUMN lon double precision CHECK (lon BETWEEN -180 AND 180);
    ALTER TABLE comment ADD CONSTRAINT comment_place_whole CHECK ((lat IS NULL) = (lon IS NULL));
    ALTER TABLE comment DROP CONSTRAINT comment_text_check;
    ALTER TABLE comment ADD CONSTRAINT comment_text_check CHECK (char_length(text) <= 4000 AND (char_length(text) >= 1 OR photos > 0 OR lat IS NOT NULL));
    ALTER TABLE message_photo ADD COLUMN comment_id int REFERENCES comment(id) ON DELETE SET NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message_photo DROP COLUMN comment_id;
    UPDATE comment SET text = '—' WHERE text = '';
    ALTER TABLE comment DROP CONSTRAINT comment_text_check;
    ALTER TABLE comment ADD CONSTRAINT comment_text_check CHECK (char_length(text) BETWEEN 1 AND 4000);
    ALTER TABLE comment DROP CONSTRAINT comment_place_whole;
    ALTER TABLE comment DROP COLUMN lon;
    ALTER TABLE comment DROP COLUMN lat;
    ALTER TABLE comment DROP COLUMN photos;
  `,
  );
}
