/**
 * AskPro-like sample data (SCENARIOS.md, stack A): companies with branches, their staff,
 * customers, booked appointments, phone calls with transcripts, and monthly billing. Small
 * enough to back up in a second, shaped like the real thing so the playbooks read true.
 */
export type Dialect = 'postgres' | 'mysql';

export const SAMPLE_COUNTS = { companies: 6, branches: 18, users: 30, customers: 400, appointments: 900, calls: 600, billing: 72 } as const;

/** The table the demo's disaster drops and the playbook's integrity check counts. */
export const DISASTER_TABLE = 'calls';

export function sampleDataSql(dialect: Dialect): string {
  const n = SAMPLE_COUNTS;
  const pg = dialect === 'postgres';
  const series = (count: number) => (pg ? `generate_series(1, ${count}) AS s(seq)` : `(SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_${count}) AS s`);
  const ago = (unit: 'HOUR' | 'MINUTE' | 'DAY', expr: string) => (pg ? `now() - (${expr}) * interval '1 ${unit.toLowerCase()}'` : `NOW() - INTERVAL (${expr}) ${unit}`);
  const later = (expr: string) => (pg ? `now() + (${expr}) * interval '1 hour'` : `NOW() + INTERVAL (${expr}) HOUR`);
  const text = pg ? 'text' : 'TEXT';
  const time = pg ? 'timestamptz' : 'DATETIME';
  const pick = (list: string[], expr: string) => `(CASE MOD(${expr}, ${list.length}) ${list.map((item, index) => `WHEN ${index} THEN '${item}'`).join(' ')} END)`;
  const cities = ['Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt', 'Leipzig'];
  const services = ['Haarschnitt', 'Beratung', 'Zahnreinigung', 'Probetraining', 'Massage', 'Kontrolltermin'];
  return [
    `CREATE TABLE companies (id int PRIMARY KEY, name varchar(120) NOT NULL, plan varchar(20) NOT NULL, created_at ${time} NOT NULL)`,
    `CREATE TABLE branches (id int PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), city varchar(60) NOT NULL, phone varchar(30) NOT NULL, calcom_team_id int NOT NULL, retell_agent_id varchar(40) NOT NULL)`,
    `CREATE TABLE users (id int PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), email varchar(120) NOT NULL, role varchar(20) NOT NULL)`,
    `CREATE TABLE customers (id int PRIMARY KEY, branch_id int NOT NULL REFERENCES branches(id), name varchar(120) NOT NULL, phone varchar(30) NOT NULL, email varchar(120) NOT NULL)`,
    `CREATE TABLE appointments (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), branch_id int NOT NULL REFERENCES branches(id), service varchar(60) NOT NULL, starts_at ${time} NOT NULL, status varchar(20) NOT NULL, calcom_booking_uid varchar(40) NOT NULL)`,
    `CREATE TABLE calls (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), branch_id int NOT NULL REFERENCES branches(id), retell_call_id varchar(40) NOT NULL, started_at ${time} NOT NULL, duration_s int NOT NULL, outcome varchar(20) NOT NULL, transcript ${text} NOT NULL)`,
    `CREATE TABLE billing (id int PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), month char(7) NOT NULL, calls int NOT NULL, minutes int NOT NULL, amount_cents int NOT NULL)`,
    `INSERT INTO companies SELECT seq, CONCAT('Praxis-Gruppe ', seq), ${pick(['starter', 'pro', 'enterprise'], 'seq')}, ${ago('DAY', 'seq * 40')} FROM ${series(n.companies)}`,
    `INSERT INTO branches SELECT seq, MOD(seq - 1, ${n.companies}) + 1, ${pick(cities, 'seq')}, CONCAT('+49 30 ', 5550000 + seq), 1000 + seq, CONCAT('agent_', md5(CONCAT('branch', seq))) FROM ${series(n.branches)}`,
    `INSERT INTO users SELECT seq, MOD(seq - 1, ${n.companies}) + 1, CONCAT('staff', seq, '@askpro.example'), ${pick(['admin', 'agent', 'viewer'], 'seq')} FROM ${series(n.users)}`,
    `INSERT INTO customers SELECT seq, MOD(seq - 1, ${n.branches}) + 1, CONCAT(${pick(['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Greta'], 'seq')}, ' ', ${pick(['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber'], 'seq * 7')}), CONCAT('+49 151 ', 1000000 + seq), CONCAT('kunde', seq, '@example.org') FROM ${series(n.customers)}`,
    `INSERT INTO appointments SELECT seq, MOD(seq * 7, ${n.customers}) + 1, MOD(MOD(seq * 7, ${n.customers}), ${n.branches}) + 1, ${pick(services, 'seq')}, ${later(`MOD(seq * 13, 720) - 360`)}, ${pick(['booked', 'booked', 'done', 'cancelled'], 'seq')}, CONCAT('bk_', md5(CONCAT('booking', seq))) FROM ${series(n.appointments)}`,
    `INSERT INTO calls SELECT seq, MOD(seq * 11, ${n.customers}) + 1, MOD(MOD(seq * 11, ${n.customers}), ${n.branches}) + 1, CONCAT('call_', md5(CONCAT('call', seq))), ${ago('MINUTE', 'seq * 37')}, 30 + MOD(seq * 17, 400), ${pick(['booked', 'rescheduled', 'question', 'hung-up'], 'seq')}, CONCAT('Agent: Guten Tag, hier ist der Termin-Service. Wie kann ich helfen? Kunde: Ich hätte gern einen Termin für ', ${pick(services, 'seq')}, '. Agent: Gern, passt Ihnen ', ${pick(['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag'], 'seq')}, ' um ', 8 + MOD(seq, 10), ' Uhr? Kunde: Ja, das passt. Agent: Ich habe Sie eingetragen, Sie bekommen eine SMS.') FROM ${series(n.calls)}`,
    `INSERT INTO billing SELECT seq, MOD(seq - 1, ${n.companies}) + 1, CONCAT('2026-', LPAD(CAST(MOD(seq - 1, 12) + 1 AS ${pg ? 'text' : 'CHAR'}), 2, '0')), 100 + MOD(seq * 31, 900), 300 + MOD(seq * 53, 2700), 4900 + MOD(seq * 977, 50000) FROM ${series(n.billing)}`,
  ].join(';\n');
}
