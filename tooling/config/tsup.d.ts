import type { Options } from 'tsup';
/** Build configuration for a workspace package. */
export declare function definePackageBuild(options: {
  entry: Record<string, string>;
  /** Entries built without declarations (worker scripts). */
  jsOnlyEntry?: Record<string, string>;
  banner?: string;
  dts?: boolean;
  external?: string[];
}): Options | Options[];
