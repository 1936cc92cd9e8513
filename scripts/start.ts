// The bot's entry point (npm start): the command list meets the app here, since src/ never imports commands/.
import { commands } from '../commands/index.js';
import { runBot } from '../src/main.js';

await runBot(commands);
