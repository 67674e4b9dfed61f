export { repoPath } from '@ilot/domain';
