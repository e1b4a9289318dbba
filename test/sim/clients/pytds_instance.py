"""Logs in to 127.0.0.1\\<instance> through pytds's own Browser lookup and prints "<one> <spid>";
with --list prints the instances pytds reads from the Browser, name to TCP port, as JSON."""
import json
import sys

import pytds
from pytds import tds

if sys.argv[1] == '--list':
    instances = tds.tds7_get_instances('127.0.0.1')
    print(json.dumps({name: int(i['tcp']) if 'tcp' in i else None for name, i in instances.items()}, sort_keys=True))
    sys.exit(0)
with pytds.connect(server='127.0.0.1\\' + sys.argv[1], user='sqlprobe', password='Sim-Passw0rd', database='master',
                   autocommit=True, login_timeout=5, timeout=5) as conn:
    cur = conn.cursor()
    cur.execute('SELECT 1')
    one = cur.fetchall()[0][0]
    cur.execute('SELECT @@SPID')
    print(one, cur.fetchall()[0][0])
