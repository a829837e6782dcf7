// `bun run pipeline --processes`: the pipeline's flags, handed to the stage commands that take them.
import { PIPELINE_OPTIONS } from "./pipeline-args.ts";
import { STAGE_PIPELINE_FLAGS, type StageName } from "./stage-args.ts";

const BOOLEAN_FLAGS = new Set(["processes", ...Object.entries(PIPELINE_OPTIONS).filter(([, option]) => option.type === "boolean").map(([name]) => name)]);
/**
 * Flags of `bun run pipeline` that the supervisor itself reads: where its health is, flowctl, the
 * catch-up guard (it plans the run before starting the stages), the exports (it writes them once the
 * sink has finished).
 */
export const SUPERVISOR_FLAGS = new Set(["flowctl", "health-ports", "health-host", "processes", "catch-up", "catch-up-limit", "export-json", "export-parquet"]);

/** `args` without `--name VALUE` / `--name=VALUE`. */
export function withoutFlag(args: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) i++;
    else if (!args[i]!.startsWith(`--${name}=`)) out.push(args[i]!);
  }
  return out;
}

/** Each stage's share of the pipeline's argv (the flowctl flags are the supervisor's). */
export function splitPipelineArgs(argv: readonly string[]): { readonly stages: Record<StageName, string[]>; readonly unsupported: string[] } {
  const stages: Record<StageName, string[]> = { source: [], processor: [], sink: [] };
  const unsupported: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(=.*)?$/.exec(arg);
    if (!match) continue; // a value of a flag already taken (parsePipelineArgs checked the argv)
    const name = match[1]!;
    const tokens = match[2] !== undefined || BOOLEAN_FLAGS.has(name) ? [arg] : [arg, argv[++i] ?? ""];
    if (SUPERVISOR_FLAGS.has(name)) continue;
    let taken = false;
    for (const stage of ["source", "processor", "sink"] as const) {
      if (name === "flowctl" || !STAGE_PIPELINE_FLAGS[stage].includes(name)) continue;
      stages[stage].push(...tokens);
      taken = true;
    }
    if (!taken) unsupported.push(`--${name}`);
  }
  return { stages, unsupported };
}
