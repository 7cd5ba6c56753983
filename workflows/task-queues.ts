/**
 * Task queues of a worker. Activities of one queue are served first in, first out, so in a
 * statewide quincena the ~20 activities of a 27-row municipality used to wait behind the staging,
 * checks, movements and dispersion of a 110,000-row file (BENCHMARKS.md). Large files therefore
 * run their heavy activities on a second queue with a few slots of its own, and the small files
 * keep the main queue moving. Pure: the workflow routes with it and the worker polls with it.
 */

/** A file with at least this many rows is large (its checks, movements and dispersion go to the bulk queue). */
export const LARGE_FILE_ROWS = 5_000;
/** Before staging only the upload's size is known: about 100 bytes per CSV row, so ~5,000 rows. */
export const LARGE_FILE_BYTES = 512 * 1024;

export const bulkTaskQueue = (taskQueue: string): string => `${taskQueue}-bulk`;
