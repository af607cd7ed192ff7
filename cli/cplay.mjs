#!/usr/bin/env node
// `cplay` entry point: loads the TypeScript CLI through tsx (a dependency), so `npx cplay` works
// right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
