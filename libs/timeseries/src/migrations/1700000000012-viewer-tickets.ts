import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, VIEWER_TICKET_SETTING } from '../resident-access';

/** The resident tables as they were when this migration was written (a migration never changes with later ones). */
const RESIDENT_TABLES = ['participant_steps', 'participant_months', 'participant_effacements'] as const;

/**
 * Row-level security that the API's role cannot talk its way through (issue 15). The policies of migration 5 read
 * settings (`ilot.role`, `ilot.participant`) that any role may set: `ilot_api` could `set_config('ilot.role',
 * 'operator', true)` and read every participant's rows. Now they trust only a ticket signed with a secret that only
 * the owner reads (`viewer_ticket_key`, made here from PostgreSQL's strong random source), verified by
 * `ilot_viewer()`, SECURITY DEFINER (HMAC-SHA256 from the built-in sha256(), the key's pads computed here).
 */
export class ViewerTickets1700000000012 implements MigrationInterface {
  name = 'ViewerTickets1700000000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE viewer_ticket_key (
        one    boolean PRIMARY KEY DEFAULT true CHECK (one),
        secret bytea   NOT NULL CHECK (length(secret) = 32),
        ipad   bytea   NOT NULL,
        opad   bytea   NOT NULL
      )`);
    await queryRunner.query(`REVOKE ALL ON viewer_ticket_key FROM PUBLIC`);
    // 32 bytes of gen_random_uuid() (pg_strong_random), the HMAC pads of the key zero-filled to the 64-byte block.
    await queryRunner.query(`
      DO $$
      DECLARE
        key bytea := decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex');
        ipad bytea := decode(repeat('36', 64), 'hex');
        opad bytea := decode(repeat('5c', 64), 'hex');
      BEGIN
        FOR i IN 0..31 LOOP
          ipad := set_byte(ipad, i, get_byte(key, i) # 54);
          opad := set_byte(opad, i, get_byte(key, i) # 92);
        END LOOP;
        INSERT INTO viewer_ticket_key (secret, ipad, opad) VALUES (key, ipad, opad);
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION ilot_viewer() RETURNS jsonb
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
      AS $$
      DECLARE
        ticket  text := current_setting('${VIEWER_TICKET_SETTING}', true);
        payload text;
        claims  jsonb;
      BEGIN
        IF ticket IS NULL OR ticket !~ '^[0-9a-f]+\\.[0-9a-f]{64}$' THEN RETURN NULL; END IF;
        payload := split_part(ticket, '.', 1);
        IF NOT EXISTS (
          SELECT FROM public.viewer_ticket_key k
           WHERE encode(sha256(k.opad || sha256(k.ipad || convert_to(payload, 'UTF8'))), 'hex') = split_part(ticket, '.', 2)
        ) THEN RETURN NULL; END IF;
        claims := convert_from(decode(payload, 'hex'), 'UTF8')::jsonb;
        IF (claims->>'exp')::bigint < extract(epoch FROM now()) THEN RETURN NULL; END IF;
        RETURN claims;
      EXCEPTION WHEN OTHERS THEN RETURN NULL;
      END $$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION ilot_viewer() FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION ilot_viewer() TO ${API_ROLE}`);
    // Scalar subqueries: verified once per statement, not once per row.
    const visible = `site_id = (SELECT ilot_viewer()->>'site')
       AND ((SELECT ilot_viewer()->>'role') = 'operator' OR participant_id = (SELECT ilot_viewer()->>'participant'))`;
    for (const table of RESIDENT_TABLES) {
      await queryRunner.query(`DROP POLICY ${table}_viewer ON ${table}`);
      await queryRunner.query(`CREATE POLICY ${table}_viewer ON ${table} USING (${visible}) WITH CHECK (${visible})`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const visible = `site_id = current_setting('ilot.site', true)
       AND (current_setting('ilot.role', true) = 'operator' OR participant_id = current_setting('ilot.participant', true))`;
    for (const table of RESIDENT_TABLES) {
      await queryRunner.query(`DROP POLICY ${table}_viewer ON ${table}`);
      await queryRunner.query(`CREATE POLICY ${table}_viewer ON ${table} USING (${visible}) WITH CHECK (${visible})`);
    }
    await queryRunner.query(`DROP FUNCTION ilot_viewer()`);
    await queryRunner.query(`DROP TABLE viewer_ticket_key`);
  }
}
