import yaml, copy, re
import os
POL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..') + '/'

class D(yaml.SafeDumper):
    def ignore_aliases(self, data): return True
def _str(dumper, s):
    if '\n' in s:
        return dumper.represent_scalar('tag:yaml.org,2002:str', s if s.endswith('\n') else s + '\n', style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', s)
D.add_representer(str, _str)
def _dict(dumper, d):
    # short leaf mappings (titles, refs, probes of scalars) in flow style, like the shipped files
    flow = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x,(dict,list)) for x in v)) for v in d.values()) and all(not (isinstance(v,str) and '\n' in v) for v in d.values()) and len(str(d)) < 160
    return dumper.represent_mapping('tag:yaml.org,2002:map', d.items(), flow_style=flow)
D.add_representer(dict, _dict)
def _list(dumper, l):
    flow = all(isinstance(x, (str,int,float,bool)) for x in l) and len(str(l)) < 120 and not any(isinstance(x,str) and '\n' in x for x in l)
    return dumper.represent_sequence('tag:yaml.org,2002:seq', l, flow_style=flow)
D.add_representer(list, _list)

HEADER = "# Generated from Ward's Debian 12 content and reviewed by hand. Wording is Ward's own;\n# CIS item numbers are references only (CIS benchmark text is licensed). Format: ../FORMAT.md\n"

def load(name):
    return yaml.safe_load(open(POL + name + '.yaml'))

def write(name, pol, header=HEADER):
    ids = [c['id'] for c in pol.get('checks', [])]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    with open(POL + name + '.yaml', 'w') as f:
        f.write(header)
        yaml.dump(pol, f, Dumper=D, allow_unicode=True, width=400, sort_keys=False, default_flow_style=False)

def L(en, zh): return {'en': en, 'zh': zh}

def chk(id, title, desc, rat, sev, tags, refs, probes, rem, applies=None, cond=None, fix=None):
    c = {'id': id, 'title': L(*title), 'description': L(*desc), 'rationale': L(*rat), 'severity': sev, 'tags': tags,
         'references': [{'type': t, 'id': i} for t, i in refs]}
    if applies: c['applies'] = applies
    if cond: c['condition'] = cond
    c['probes'] = probes
    c['remediation'] = rem
    if fix: c['fix'] = fix
    return c

def walk_strings(o, fn):
    if isinstance(o, dict): return {k: walk_strings(v, fn) for k, v in o.items()}
    if isinstance(o, list): return [walk_strings(v, fn) for v in o]
    if isinstance(o, str): return fn(o)
    return o

def byid(checks): return {c['id']: c for c in checks}
