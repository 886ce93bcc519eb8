// Runs in every test file (vitest setupFiles): whatever the file made with tempDir() is removed when
// the file ends, also when a test or a hook failed.
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp-dir.ts';

afterAll(() => {
  removeTempDirs();
});
