import { strict as assert } from 'node:assert';
import { emptyRecord, installVscodeStub } from '../support/vscodeStub';

type Inspected = { defaultValue?: unknown; globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown };

describe('Config', () => {
  let uninstall: () => void;
  let Config: typeof import('../../extension/src/config').Config;
  before(() => {
    uninstall = installVscodeStub(emptyRecord());
    ({ Config } = require('../../extension/src/config') as typeof import('../../extension/src/config'));
  });
  after(() => uninstall());

  /** A configuration as VS Code would merge it: the most specific scope wins in get(). */
  function settings(values: Record<string, Inspected>) {
    return () => ({
      get: (key: string) => {
        const v = values[key];
        return v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue ?? v?.defaultValue;
      },
      inspect: (key: string) => (values[key] ? { key, ...values[key] } : undefined),
    });
  }

  it('reads the security-relevant settings from the user (machine) scope only, never from the workspace', () => {
    const config = new Config(
      settings({
        clusters: { defaultValue: [], globalValue: [{ name: 'saga', host: 'saga.sigma2.no' }], workspaceValue: [{ name: 'saga', host: 'evil.example', proxyJump: 'evil' }] },
        'ssh.configFile': { defaultValue: '', workspaceFolderValue: './ssh_config' },
        'ssh.rememberPassphrases': { defaultValue: false, workspaceValue: true },
        'logs.maxLines': { defaultValue: 100000, workspaceValue: 5000 },
      }),
    );
    assert.deepEqual(config.get('clusters'), [{ name: 'saga', host: 'saga.sigma2.no' }]);
    assert.equal(config.get('ssh.configFile'), '');
    assert.equal(config.get('ssh.rememberPassphrases'), false);
    assert.equal(config.get('logs.maxLines'), 5000, 'other settings may come from the workspace');
  });
});
