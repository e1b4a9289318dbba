"""Runs SELECT 1 and SELECT @@SPID through pytds; prints "<one> <spid>". argv: port mode [cafile]."""
import sys

import pytds

port, mode = int(sys.argv[1]), sys.argv[2]
kw = dict(server='127.0.0.1', port=port, user='sqlprobe', password='Sim-Passw0rd', database='master',
          autocommit=True, login_timeout=5, timeout=5)
if mode in ('full', 'login-only'):
    kw.update(cafile=sys.argv[3], validate_host=False, enc_login_only=(mode == 'login-only'))
with pytds.connect(**kw) as conn:
    cur = conn.cursor()
    cur.execute('SELECT 1')
    one = cur.fetchall()[0][0]
    cur.execute('SELECT @@SPID')
    spid = cur.fetchall()[0][0]
    print(one, spid)
