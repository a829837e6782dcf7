// Preloaded by bun test (bunfig.toml): what every test file shares.
import { setDefaultTimeout } from "bun:test";

// A test has 20 s unless it says otherwise (bun's own default is 5 s); the slow ones (processes,
// browsers, whole runs) set their own.
setDefaultTimeout(20_000);
