/**
 * Preloaded with `NODE_OPTIONS=--require .../cpu-profile.preload.js` (Node 20 refuses --cpu-prof in
 * NODE_OPTIONS): profiles the whole process and writes a .cpuprofile into MAILBUS_CPU_PROFILE_DIR
 * when it exits or receives SIGTERM (the profile then ends at the start of the shutdown). Open it in Chrome
 * DevTools or speedscope. For benchmarks only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.MAILBUS_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  let written = false;
  // Same-thread inspector sessions answer synchronously, so this works inside 'exit' and a signal listener.
  const write = (): void => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('exit', write);
  // Nest's shutdown hook ends by re-raising SIGTERM, which kills without 'exit'; `once` leaves that kill alone.
  process.once('SIGTERM', write);
}
