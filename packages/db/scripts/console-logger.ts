import type { DatabaseLogger } from '../src/types';

export const consoleLogger: DatabaseLogger = {
  info: (obj, msg) => console.log(msg ?? '', typeof obj === 'string' ? obj : JSON.stringify(obj)),
  warn: (obj, msg) => console.warn(msg ?? '', typeof obj === 'string' ? obj : JSON.stringify(obj)),
};
