export { repoPath } from '@ilot/runtime';
