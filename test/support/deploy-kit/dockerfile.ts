import {
  DockerfileParser,
  Healthcheck,
  JSONInstruction,
  ModifiableInstruction,
  PropertyInstruction,
} from 'dockerfile-ast';

/** One instruction of a Dockerfile, as the builder reads it. */
export interface Instruction {
  keyword: string;
  /** The arguments as written, flags left out. */
  args: string;
  flags: Record<string, string | null>;
  /** Exec form (`["node", "dist/main.js"]`) of CMD, ENTRYPOINT, RUN and HEALTHCHECK's CMD. */
  exec: string[] | undefined;
  /** ENV's and ARG's name=value pairs. */
  properties: [string, string | null][];
}

export interface Stage {
  /** `AS <name>`. */
  name: string | undefined;
  /** The image or stage it starts from. */
  from: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages in order (the last is what a build without --target makes). */
export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [from, as, name] = (instruction.getArgumentsContent() ?? '').split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    const flags = Object.fromEntries(
      instruction instanceof ModifiableInstruction
        ? instruction.getFlags().map((flag) => [flag.getName(), flag.getValue()])
        : [],
    );
    let args = instruction.getArgumentsContent() ?? '';
    let exec: string[] | undefined;
    if (instruction instanceof JSONInstruction && instruction.getOpeningBracket()) {
      exec = instruction.getJSONStrings().map((value) => value.getJSONValue());
    }
    if (instruction instanceof Healthcheck) {
      args = args.replace(/^(--\S+\s+)*/, '');
      const command = /^CMD\s+(\[.*\])\s*$/s.exec(args);
      if (command) exec = JSON.parse(command[1]) as string[];
    }
    const properties =
      instruction instanceof PropertyInstruction && (keyword === 'ENV' || keyword === 'ARG')
        ? instruction
            .getProperties()
            .map((property): [string, string | null] => [
              property.getName(),
              property.getUnescapedValue(),
            ])
        : [];
    stage.instructions.push({ keyword, args, flags, exec, properties });
  }
  return stages;
}

/**
 * Whether the build context leaves a path out, by .dockerignore's rules (Docker's
 * patternmatcher): patterns in Go's filepath.Match syntax plus `**`, matched against the path
 * and each of its parent folders, `!` lets a path back in, and the last matching line wins.
 */
export function dockerIgnores(dockerignore: string, path: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, '');
      return { include, regexp: globRegExp(pattern) };
    });
  const elements = path.split('/');
  const candidates = elements.map((_, index) => elements.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regexp.test(candidate))) ignored = !rule.include;
  }
  return ignored;
}

function globRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
