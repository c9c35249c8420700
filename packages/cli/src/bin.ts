#!/usr/bin/env node
// The `fedsvc` executable.
import { main } from './main.js';

process.exit(await main(process.argv.slice(2)));
