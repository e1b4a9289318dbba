import { errorCode, MAX_CA_FILE_BYTES, readRegularFile } from '../config';

/**
 * The target's CA file, read with the same checks as when the config loads (a regular file under
 * the cap). One that cannot be read now (deleted since, or never checked: an ad-hoc target) fails
 * the probe as the target's problem with code ECAFILE, before anything is sent to the server.
 */
export function readCaFile(path: string): Buffer {
  try {
    return readRegularFile(path, MAX_CA_FILE_BYTES);
  } catch (err) {
    throw Object.assign(new Error(`the target's caFile "${path}" cannot be read (${errorCode(err)})`), { code: 'ECAFILE', cause: err });
  }
}
