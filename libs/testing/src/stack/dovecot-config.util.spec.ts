import { describe, expect, it } from 'vitest';
import { renderDovecotConfig, type DovecotConfigSettings } from './dovecot-config.util';

const settings: DovecotConfigSettings = {
  instanceName: 'mailbus-stack-test',
  baseDir: '/s/dovecot/run',
  stateDir: '/s/dovecot/state',
  logFile: '/s/dovecot.log',
  certFile: '/s/tls/cert.pem',
  keyFile: '/s/tls/key.pem',
  passwdFile: '/s/dovecot/etc/users',
  mailRoot: '/s/dovecot/mail',
  ports: { imap: 1143, imaps: 1993, pop3: 1110, pop3s: 1995, lmtp: 1024 },
  mailOwner: { uid: 999, gid: 995 },
};

describe(renderDovecotConfig.name, () => {
  it('should write every special-use mailbox as a multi-line block when rendering', () => {
    const sut = renderDovecotConfig(settings);

    expect(sut).toContain('  mailbox Junk {\n    special_use = \\Junk\n    auto = subscribe\n  }\n');
    for (const folder of ['Drafts', 'Sent', 'Trash', 'Archive']) expect(sut).toContain(`  mailbox ${folder} {\n    special_use = \\${folder}\n`);
  });

  it('should listen on loopback with implicit TLS only on the imaps and pop3s ports when rendering', () => {
    const sut = renderDovecotConfig(settings);

    expect(sut).toContain('  inet_listener imap {\n    address = 127.0.0.1\n    port = 1143\n  }');
    expect(sut).toContain('  inet_listener imaps {\n    address = 127.0.0.1\n    port = 1993\n    ssl = yes\n  }');
    expect(sut).toContain('  inet_listener pop3s {\n    address = 127.0.0.1\n    port = 1995\n    ssl = yes\n  }');
    expect(sut).toContain('  inet_listener lmtp {\n    address = 127.0.0.1\n    port = 1024\n  }');
    expect(sut).toContain('first_valid_uid = 999\nlast_valid_uid = 999\n');
  });

  it('should drop the internal users and chroots when Dovecot runs unprivileged', () => {
    const privileged = renderDovecotConfig(settings);
    const sut = renderDovecotConfig({ ...settings, unprivileged: { user: 'dev', group: 'devs' } });

    expect(privileged).not.toContain('chroot');
    expect(sut).toContain('default_internal_user = dev\ndefault_internal_group = devs\ndefault_login_user = dev\n');
    expect(sut.match(/^ {2}chroot =$/gm)).toHaveLength(3);
  });

  it("should keep Dovecot's capability list unless one is given, and then set it for IMAP only", () => {
    const sut = renderDovecotConfig({ ...settings, imapCapability: 'IMAP4rev1 UIDPLUS' });

    expect(renderDovecotConfig(settings)).not.toContain('imap_capability');
    expect(sut).toContain('protocol imap {\n  imap_capability = IMAP4rev1 UIDPLUS\n}\n');
  });

  it('should create only the given folders, without special use where none is given', () => {
    const sut = renderDovecotConfig({ ...settings, specialUseFolders: [{ name: 'Spam', specialUse: '' }] });

    expect(sut).toContain('  mailbox Spam {\n    auto = subscribe\n  }\n');
    expect(sut).not.toContain('mailbox Junk');
    expect(sut).not.toContain('special_use = \\Sent');
  });
});
