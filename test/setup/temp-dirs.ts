// Runs in every test file (vitest setupFiles): whatever the file spawned and left running is killed,
// and whatever it made with tempDir() is removed, when the file ends — also when a test or a hook
// failed. (Registered first, so it runs after the file's own afterAll hooks.)
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp-dir.ts';
import { killTracked } from '../helpers/children.ts';

afterAll(() => {
  const leaked = killTracked();
  if (leaked > 0) console.warn(`killed ${leaked} process(es) the test file left running`);
  removeTempDirs();
});
