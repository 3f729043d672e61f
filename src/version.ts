// The version of migsim, printed by --version and written into forecast shard files (a merge
// refuses shards of another version: their summaries may not mean the same).
export const MIGSIM_VERSION = '0.1.0';
