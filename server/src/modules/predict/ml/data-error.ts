/**
 * A problem with the user's input data (missing file/column, unusable values, one-class target).
 * The CLI maps it to a one-line stderr message and exit code 2; anything else is a bug.
 */
export class DataError extends Error {
  override name = 'DataError';
}
