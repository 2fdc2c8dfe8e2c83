/** Where Redis exits (its log says why): start-up stops, a running node keeps serving. */
export class AofFatalError extends Error {
  constructor() {
    super('fatal AOF error (see the log)');
  }
}
