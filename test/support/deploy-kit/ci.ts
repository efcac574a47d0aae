/**
 * CI's production-install check, read from .ci/run itself (its "production install" step), so
 * that the image is held to what CI runs rather than to a copy of it.
 */
export interface ProductionCheck {
  /** What it copies into the empty folder it installs in: `cp -r <files> "$prod"/`. */
  files: string[];
  /** Its install command: `npm ci --omit=dev …`. */
  install: string;
  /** What it starts and asks for GET /: `exec node …`. */
  start: string[];
}

export function productionCheck(ciRun: string): ProductionCheck {
  const section = ciRun.slice(ciRun.indexOf('echo "== production install"'));
  const copy = /\bcp -r ((?:[\w.-]+ )+)"\$prod"/.exec(section);
  const install = /\b(npm ci\b[^>)\n&|;]*--omit=dev[^>)\n&|;]*)/.exec(section);
  const start = /\bexec (node [^>\n&|;]*?)\s*>/.exec(section);
  if (!section || !copy || !install || !start) {
    throw new Error('.ci/run: the production-install step is not where the kit test looks');
  }
  return {
    files: copy[1].trim().split(/\s+/),
    install: install[1].trim(),
    start: start[1].trim().split(/\s+/),
  };
}
