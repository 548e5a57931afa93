#!/usr/bin/env python3
import json,sys
# anon.jsonl (type/value) -> score.py gold form (type/start/end code points); each value's
# occurrences taken left to right.
for line in open(sys.argv[1],encoding='utf-8'):
    line=line.strip()
    if not line: continue
    r=json.loads(line); t=r['text']; used=[]; out=[]
    for p in r.get('pii',[]):
        v=p['value']; s=0
        while True:
            i=t.find(v,s)
            if i<0: break
            if all(not(i<e and b<i+len(v)) for b,e in used): break
            s=i+1
        if i<0:
            print("MISSING",r['id'],v,file=sys.stderr); continue
        used.append((i,i+len(v))); out.append({"type":p['type'],"start":i,"end":i+len(v)})
    print(json.dumps({"id":r['id'],"text":t,"pii":out},ensure_ascii=False))
