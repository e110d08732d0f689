/**
 * The words of a reference's command (as a shell splits them, nothing expanded) and the
 * `reference` body the User secrets form sends.
 */
import { parseVaultSpec, referenceBody, splitWords } from '../references/referenceForm';
import { identityTrans as trans } from '../format';

describe('splitWords', () => {
  it('splits like a shell, without expanding', () => {
    expect(splitWords('op read op://team/db/password')).toEqual([
      'op',
      'read',
      'op://team/db/password'
    ]);
    expect(splitWords(`sh -c "pass show db | head -1"`)).toEqual([
      'sh',
      '-c',
      'pass show db | head -1'
    ]);
    expect(splitWords(`a 'b c' d\\ e "f\\"g" $HOME ''`)).toEqual([
      'a',
      'b c',
      'd e',
      'f"g',
      '$HOME',
      ''
    ]);
    expect(splitWords('   ')).toEqual([]);
    expect(splitWords(`op 'unterminated`)).toBeNull();
  });
});

describe('referenceBody', () => {
  const fields = { command: '', vault: '', addr: '', ttl: '300' };

  it('makes a command reference', () => {
    expect(
      referenceBody('command', { ...fields, command: 'pass show db', ttl: '60' }, trans)
    ).toEqual({
      reference: {
        type: 'command',
        argv: ['pass', 'show', 'db'],
        ttl_seconds: 60,
        timeout_seconds: 30
      }
    });
  });

  it('makes a vault reference', () => {
    expect(parseVaultSpec('secret/team/db#password')).toEqual({
      mount: 'secret',
      path: 'team/db',
      field: 'password'
    });
    expect(parseVaultSpec('secret#password')).toBeNull();
    expect(
      referenceBody(
        'vault',
        { ...fields, vault: 'secret/team/db#password', addr: 'https://vault.example.org' },
        trans
      )
    ).toEqual({
      reference: {
        type: 'vault',
        mount: 'secret',
        path: 'team/db',
        field: 'password',
        addr: 'https://vault.example.org',
        ttl_seconds: 300,
        timeout_seconds: 30
      }
    });
  });

  it('says what is wrong', () => {
    expect(referenceBody('command', fields, trans).error).toBe(
      'Type the command that prints the value.'
    );
    expect(referenceBody('command', { ...fields, command: "op '" }, trans).error).toBe(
      'A quote in the command is not closed.'
    );
    expect(referenceBody('vault', { ...fields, vault: 'secret/db' }, trans).error).toMatch(
      /^Write MOUNT\/PATH#FIELD/
    );
    expect(referenceBody('command', { ...fields, command: 'x', ttl: '1.5' }, trans).error).toBe(
      'The time to live is a whole number of seconds.'
    );
  });
});
