// Reads a component's YAML config file (Bun's YAML parser); resolveFlowctlConfig checks its content.
import { ConfigError } from "./config.ts";
import { messageOf } from "../common/message-of.ts";

export async function readYamlConfig(path: string): Promise<{ path: string; document: unknown }> {
  let text: string;
  try {
    text = await Bun.file(path).text();
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${messageOf(error)}`);
  }
  try {
    return { path, document: Bun.YAML.parse(text) };
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${messageOf(error)}`);
  }
}
