"""PyTorch reimplementation of the embedded sums classification (issue 11), for comparison only.

The same data as ArithmeticCorpus.classificationDataset (a+b=c, half the sums off by 1..MAXOFF,
a fifth held out) and the same model as lstm-classifier (embedding 64, packed BiLSTM 128, final
states -> dropout 0.1 -> linear), Adam 0.003, batch 32.
Usage: sums_classification_torch.py COUNT EPOCHS [MAXOPERAND=99] [MAXOFF=20]
  2000 8 99 20  -> val acc 0.47-0.51 (the old two-digit task: at chance)
  2000 5 9 9    -> val acc 0.91 after 4 epochs (200 steps), the embedded task now
"""
import random, sys, torch, torch.nn as nn
torch.set_num_threads(1)
from torch.nn.utils.rnn import pack_padded_sequence
def gen(count, maxop=99, seed=1, maxoff=20):
    r = random.Random(seed); X=[]; Y=[]
    for i in range(count):
        a=r.randint(0,maxop); b=r.randint(0,maxop); c=a+b; w=i%2==1
        if w:
            off=r.randint(1,maxoff); c = c-off if (c>=off and r.randint(0,1)==0) else c+off
        X.append(f"{a}+{b}={c}"); Y.append(int(w))
    idx=list(range(count)); r.shuffle(idx)
    return [X[i] for i in idx],[Y[i] for i in idx]
voc={ch:i+4 for i,ch in enumerate("0123456789+=\n")}
class M(nn.Module):
    def __init__(s):
        super().__init__(); s.e=nn.Embedding(17,64,padding_idx=0); s.l=nn.LSTM(64,128,batch_first=True,bidirectional=True); s.d=nn.Dropout(0.1); s.h=nn.Linear(256,2)
    def forward(s,x,lens):
        p=pack_padded_sequence(s.e(x),lens,batch_first=True,enforce_sorted=False); _,(h,c)=s.l(p)
        return s.h(s.d(torch.cat([h[0],h[1]],1)))
def batch(texts,ys):
    L=max(len(t) for t in texts); ids=[[voc[c] for c in t]+[0]*(L-len(t)) for t in texts]
    return torch.tensor(ids), torch.tensor([len(t) for t in texts]), torch.tensor(ys)
count=int(sys.argv[1]); epochs=int(sys.argv[2]); maxop=int(sys.argv[3]) if len(sys.argv)>3 else 99
maxoff=int(sys.argv[4]) if len(sys.argv)>4 else 20
X,Y=gen(count,maxop,maxoff=maxoff); nv=count//5; Xt,Yt,Xv,Yv=X[nv:],Y[nv:],X[:nv],Y[:nv]
torch.manual_seed(0); m=M(); opt=torch.optim.Adam(m.parameters(),lr=0.003); lf=nn.CrossEntropyLoss()
step=0
for ep in range(epochs):
    m.train(); perm=list(range(len(Xt))); random.Random(ep).shuffle(perm); tl=0;n=0
    for i in range(0,len(perm),32):
        bi=perm[i:i+32]; x,l,y=batch([Xt[j] for j in bi],[Yt[j] for j in bi])
        loss=lf(m(x,l),y); opt.zero_grad(); loss.backward(); opt.step(); tl+=loss.item();n+=1; step+=1
    m.eval()
    with torch.no_grad():
        x,l,y=batch(Xv,Yv); acc=(m(x,l).argmax(1)==y).float().mean().item()
    print(f"epoch {ep+1} step {step} train loss {tl/n:.4f} val acc {acc:.4f}", flush=True)
