// Run as a child process by client.ts: creates a fresh PGlite data directory and exits.
// PGlite's initdb is a second WebAssembly instance of its own; run in the server process its
// code and memory stay resident for the life of the process (about 300 MB; a worker thread
// still leaves ~150 MB behind in the allocator), in a child they go back with its exit.
import { PGlite } from '@electric-sql/pglite';

const [dataDir, startParams] = [process.argv[2], JSON.parse(process.argv[3] ?? '[]')];
const pglite = await PGlite.create(dataDir, { startParams });
await pglite.close();
