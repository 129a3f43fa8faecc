/** Stand-alone entry with only the predict commands (used by tests; the product CLI is src/cli.ts). */
import { Command } from 'commander';
import { registerPredictCommands } from './predict.cli.js';

const program = new Command('zhongshu-predict');
registerPredictCommands(program);
await program.parseAsync(process.argv);
