// Files outside any database, with contents no response may ever carry: if one does, the SQL
// surface read a file. Two secrets: `content`, written inside the files (the queries name the
// files, never their contents), and `listing`, in the name of a file no query names (only a
// glob or a directory listing could show it). Where the filesystem keeps access times (relatime),
// `arm` and `touched` also tell a read that echoed nothing.
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
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
  /**
   * Sets the access time of every canary file and of the directory before their modification time,
   * so that the next read or listing moves it (relatime); answers whether reads show here at all
   * (false on a noatime filesystem, where `touched` can see nothing).
   */
  arm(): boolean;
  /** The canaries (files, and the directory as a listing) read since `arm`. */
  touched(): string[];
  remove(): void;
}

/** The canaries in a new temporary folder, or in the new folder `inside` (e.g. within a dataset that DuckDB's sandbox allows). */
export async function writeCanaries(inside?: string): Promise<Canaries> {
  const dir = inside ? (mkdirSync(inside, { recursive: true }), { path: inside, remove: () => rmSync(inside, { recursive: true, force: true }) }) : tempDir("stellar-flow-canaries-");
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
  const watched = [dir.path, csv, json, parquet, passwd, exported, join(exported, "schema.sql"), join(exported, "load.sql")];
  let armed = new Map<string, number>();
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
    arm() {
      const probe = `${dir.path}-probe`;
      writeFileSync(probe, "probe");
      const before = backdateAccess(probe);
      readFileSync(probe);
      const shows = statSync(probe).atimeMs !== before;
      rmSync(probe);
      armed = new Map(watched.map((path) => [path, backdateAccess(path)]));
      return shows;
    },
    touched: () => [...armed].filter(([path, atime]) => statSync(path).atimeMs !== atime).map(([path]) => path),
    remove: dir.remove,
  };
}

/** Access time one minute before the modification time; answers it. */
function backdateAccess(path: string): number {
  const { mtime } = statSync(path);
  const atime = new Date(mtime.getTime() - 60_000);
  utimesSync(path, atime, mtime);
  return statSync(path).atimeMs;
}
