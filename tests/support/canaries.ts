// Files outside any database, with contents no response may ever carry: if one does, the SQL
// surface read a file. Two secrets: `content`, written inside the files (the queries name the
// files, never their contents), and `listing`, in the name of a file no query names (only a
// glob or a directory listing could show it).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { tempDir } from "../sink/fixtures.ts";

export interface Canaries {
  readonly dir: string;
  readonly content: string;
  readonly listing: string;
  readonly csv: string;
  readonly json: string;
  readonly parquet: string;
  /** A text file shaped like /etc/passwd (colon-separated lines). */
  readonly passwd: string;
  /** A directory as EXPORT DATABASE writes it, for IMPORT DATABASE (its schema.sql holds the secret). */
  readonly exported: string;
  /** Whether `text` carries either secret. */
  leaked(text: string): boolean;
  remove(): void;
}

export async function writeCanaries(): Promise<Canaries> {
  const dir = tempDir("stellar-flow-canaries-");
  const content = `CANARY${crypto.randomUUID().replaceAll("-", "")}`;
  const listing = `LISTED${crypto.randomUUID().replaceAll("-", "")}`;
  const csv = join(dir.path, "secret.csv");
  const json = join(dir.path, "secret.json");
  const parquet = join(dir.path, "secret.parquet");
  const passwd = join(dir.path, "passwd");
  const exported = join(dir.path, "exported");
  writeFileSync(csv, `name,secret\nalice,${content}\n`);
  writeFileSync(json, `{"name":"alice","secret":"${content}"}\n`);
  writeFileSync(passwd, `root:x:0:0:${content}:/root:/bin/bash\nbin:x:1:1:${content}:/bin:/usr/sbin/nologin\n`);
  writeFileSync(join(dir.path, `hidden-${listing}.csv`), "a\n1\n");
  mkdirSync(exported);
  writeFileSync(join(exported, "schema.sql"), `CREATE TABLE ${content} (a INTEGER); ${content} is not SQL;\n`);
  writeFileSync(join(exported, "load.sql"), "");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(`COPY (SELECT 'alice' AS name, '${content}' AS secret) TO '${parquet}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  return {
    dir: dir.path,
    content,
    listing,
    csv,
    json,
    parquet,
    passwd,
    exported,
    leaked: (text) => text.includes(content) || text.includes(listing),
    remove: dir.remove,
  };
}
