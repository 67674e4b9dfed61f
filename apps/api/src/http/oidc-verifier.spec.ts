import { isJwt, rolesOf } from './oidc-verifier';

describe('the roles of an identity provider’s token', () => {
  it.each([
    [
      'a list',
      { ilot_roles: ['operator:a', 'viewer:b'] },
      'ilot_roles',
      [
        ['a', 'operator'],
        ['b', 'viewer'],
      ],
    ],
    [
      'a dotted path (Keycloak realm roles)',
      { realm_access: { roles: ['viewer:*', 'offline_access'] } },
      'realm_access.roles',
      [['*', 'viewer']],
    ],
    ['a space-separated string', { scope_roles: 'operator:a viewer:a' }, 'scope_roles', [['a', 'operator']]],
    ['operator over viewer, whatever the order', { r: ['operator:a', 'viewer:a'] }, 'r', [['a', 'operator']]],
    ['junk ignored', { r: ['admin', 'operator:', 'operator:A B', 42, 'root:a', 'operator:a/../b'] }, 'r', []],
    ['no such claim', {}, 'ilot_roles', []],
  ])('from %s', (_name, payload, path, expected) => {
    expect([...rolesOf(payload, path)]).toEqual(expected);
  });

  it('tells a JWT from the static and signed tokens', () => {
    expect(isJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
    expect(isJwt('v1.eyJyb2xlIjoib3BlcmF0b3IifQ.abc')).toBe(false);
    expect(isJwt('operator-token-0123456789')).toBe(false);
  });
});
