#!/usr/bin/env python3
"""The torch reference's MAML sine protocol (../shared/reference/torch_reference.py, maml_sine) trained
with the 25 tasks of a meta-batch batched (bmm) instead of looped, so 70 000 meta-iterations take
minutes, then scored sine by sine on many held-out sines instead of 100.

The math is the reference's: its mlp() initialisation, one second-order inner step of α 0.01 on 5
support points, the mean over 25 tasks of the query MSE on 5 points, Adam 1e-3 (torch defaults), and
at meta-test 10 steps of α 0.01 on the support points scored on 100 query points. Only the order of
the random draws differs (a meta-batch's draws come together). `check` compares the batched
meta-gradient with the reference's own loop on one meta-batch. `train --looped` runs the reference's
loop itself, draw for draw, and at the end prints what the reference prints (its 100 held-out sines),
so with the reference's thread count it gives the reference run's own weights (it takes as long as
a reference run, in resumable pieces of 4 minutes).

  python3 maml_sine_probe.py check
  python3 maml_sine_probe.py train --seed S --iters 70000 --out W.json   # rerun it to resume
  python3 maml_sine_probe.py train --looped --threads 2 --seed S --out W.json
  python3 maml_sine_probe.py score W.json --sines 600x10                   # 6000 sines, torch draws
  python3 maml_sine_probe.py score W.json --sines FILE.json                # sines from dump-sines.mjs

Run from the repository root; it imports ../shared/reference/torch_reference.py.
"""
import argparse, json, math, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '../../../../../shared/reference'))
sys.path.insert(0, '../shared/reference')
import torch
import torch.nn.functional as F
from torch_reference import mlp, forward

T, K, ALPHA, BUDGET_S = 25, 5, 0.01, 240
DIVERGENCE_RATIO = 1000  # clbench's rule (src/metrics/adaptation.ts, isDivergedEpisode)


def batched_forward(ps, x):
    """The reference's forward() over T tasks at once: per-task parameters [T, ...], x [T, n, 1]."""
    h = x
    for i in range(0, len(ps), 2):
        h = torch.bmm(h, ps[i]) + ps[i + 1].unsqueeze(1)
        if i + 2 < len(ps):
            h = torch.relu(h)
    return h


def meta_loss(ps, xs, ys, xq, yq):
    copies = [p.unsqueeze(0).expand(T, *p.shape) for p in ps]
    support = ((batched_forward(copies, xs) - ys) ** 2).mean(dim=(1, 2)).sum()  # Σ_t of task t's MSE
    grads = torch.autograd.grad(support, copies, create_graph=True)
    fast = [c - ALPHA * g for c, g in zip(copies, grads)]
    return ((batched_forward(fast, xq) - yq) ** 2).mean()  # mean over tasks of the query MSE


def draw_batch(g):
    amp = torch.rand(T, 1, 1, generator=g) * 4.9 + 0.1
    phase = torch.rand(T, 1, 1, generator=g) * math.pi
    xs = torch.rand(T, K, 1, generator=g) * 10 - 5
    xq = torch.rand(T, K, 1, generator=g) * 10 - 5
    return xs, amp * torch.sin(xs - phase), xq, amp * torch.sin(xq - phase)


def check():
    g = torch.Generator().manual_seed(123)
    ps = mlp([1, 40, 40, 1], g)
    xs, ys, xq, yq = draw_batch(g)
    total = 0
    for t in range(T):  # the reference's loop (torch_reference.py, maml_sine)
        gr = torch.autograd.grad(F.mse_loss(forward(ps, xs[t]), ys[t]), ps, create_graph=True)
        total = total + F.mse_loss(forward([p - ALPHA * gi for p, gi in zip(ps, gr)], xq[t]), yq[t])
    looped = torch.autograd.grad(total / T, ps)
    batched = torch.autograd.grad(meta_loss(ps, xs, ys, xq, yq), ps)
    err = max(((b - l).abs().max() / l.abs().max()).item() for b, l in zip(batched, looped))
    print(json.dumps({'check': 'batched vs looped meta-gradient', 'max_relative_difference': err}))


def reference_task(g):
    """torch_reference.py's task() and sample(), in its draw order."""
    amp = torch.rand(1, generator=g) * 4.9 + 0.1
    phase = torch.rand(1, generator=g) * math.pi
    f = lambda x: amp * torch.sin(x - phase)

    def sample(n):
        x = torch.rand(n, 1, generator=g) * 10 - 5
        return x, f(x)
    return sample


def looped_step(ps, g):
    """One meta-iteration of torch_reference.py's maml_sine, line for line."""
    total = 0
    for _ in range(T):
        sample = reference_task(g)
        xs, ys = sample(K)
        xq, yq = sample(K)
        gr = torch.autograd.grad(F.mse_loss(forward(ps, xs), ys), ps, create_graph=True)
        fast = [p - ALPHA * gi for p, gi in zip(ps, gr)]
        total = total + F.mse_loss(forward(fast, xq), yq)
    return total / T


def reference_heldout(ps, g):
    """What torch_reference.py prints after training: the MSE after 1 and 10 steps on its 100 held-out sines."""
    mse = {1: 0.0, 10: 0.0}
    for _ in range(100):
        sample = reference_task(g)
        xs, ys = sample(K)
        xq, yq = sample(100)
        fast = [p.detach().clone().requires_grad_() for p in ps]
        for step in range(1, 11):
            gr = torch.autograd.grad(F.mse_loss(forward(fast, xs), ys), fast)
            fast = [(p - ALPHA * gi).detach().requires_grad_() for p, gi in zip(fast, gr)]
            if step in mse:
                with torch.no_grad():
                    mse[step] += F.mse_loss(forward(fast, xq), yq).item() / 100
    return {'mse_after_1': round(mse[1], 4), 'mse_after_10': round(mse[10], 4)}


def train(a):
    g = torch.Generator().manual_seed(a.seed)
    ps = mlp([1, 40, 40, 1], g)
    opt = torch.optim.Adam(ps, lr=1e-3)
    start, ckpt = 0, a.out + '.ckpt'
    if os.path.exists(ckpt):
        state = torch.load(ckpt)
        with torch.no_grad():
            for p, v in zip(ps, state['ps']):
                p.copy_(v)
        opt.load_state_dict(state['opt'])
        g.set_state(state['gen'])
        start = state['it']
    t0 = time.perf_counter()
    for it in range(start, a.iters):
        opt.zero_grad()
        (looped_step(ps, g) if a.looped else meta_loss(ps, *draw_batch(g))).backward()
        opt.step()
        if time.perf_counter() - t0 > BUDGET_S and it + 1 < a.iters:  # a short command each time: rerun to resume
            torch.save({'ps': [p.detach() for p in ps], 'opt': opt.state_dict(), 'gen': g.get_state(), 'it': it + 1}, ckpt)
            print(json.dumps({'paused_at': it + 1, 'rerun': 'the same command resumes'}))
            return
    json.dump({'iters': a.iters, 'seed': a.seed, 'looped': a.looped, 'weights': [p.detach().tolist() for p in ps]}, open(a.out, 'w'))
    if os.path.exists(ckpt):
        os.remove(ckpt)
    print(json.dumps({'trained': a.iters, 'seed': a.seed, 'out': a.out, **({'reference_heldout': reference_heldout(ps, g)} if a.looped else {})}))


def sines_of(spec):
    if not spec.endswith('.json'):
        per_seed, seeds = map(int, spec.split('x'))
        out = []
        for s in range(seeds):
            g = torch.Generator().manual_seed(1000 + s)
            for _ in range(per_seed):
                amp, phase = (torch.rand(1, generator=g) * 4.9 + 0.1).item(), (torch.rand(1, generator=g) * math.pi).item()
                xs, xq = torch.rand(K, generator=g) * 10 - 5, torch.rand(100, generator=g) * 10 - 5
                out.append({'amplitude': amp, 'phase': phase, 'xs': xs.tolist(), 'xq': xq.tolist()})
        return out
    return json.load(open(spec))['sines']


def score(a):
    ps0 = [torch.tensor(w) for w in json.load(open(a.weights))['weights']]
    curves = []
    for s in sines_of(a.sines):
        xs, xq = torch.tensor(s['xs']).view(-1, 1), torch.tensor(s['xq']).view(-1, 1)
        ys, yq = s['amplitude'] * torch.sin(xs - s['phase']), s['amplitude'] * torch.sin(xq - s['phase'])
        fast = [p.clone().requires_grad_() for p in ps0]
        curve = []
        for step in range(11):  # the reference's meta-test loop, scored after every step
            if step:
                gr = torch.autograd.grad(F.mse_loss(forward(fast, xs), ys), fast)
                fast = [(p - ALPHA * gi).detach().requires_grad_() for p, gi in zip(fast, gr)]
            with torch.no_grad():
                curve.append(F.mse_loss(forward(fast, xq), yq).item())
        curves.append((len(curves), s['amplitude'], s['xs'], curve))
    diverged = [c for c in curves if not (math.isfinite(c[3][10]) and c[3][10] <= DIVERGENCE_RATIO * c[3][0])]
    kept = [c for c in curves if c not in diverged]
    at = lambda k: sorted(c[3][k] for c in kept)
    mean = lambda v: sum(v) / len(v)
    # The reference's figure is the mean over 100 sines: the means of consecutive blocks of 100 show its spread.
    blocks = [curves[i:i + 100] for i in range(0, len(curves) - 99, 100)]
    finite_blocks = sorted(mean([c[3][10] for c in b]) for b in blocks if not any(c in diverged for c in b))
    v10 = at(10)
    print(json.dumps({
        'weights': a.weights, 'sines': len(curves), 'diverged': len(diverged),
        'mean_without_diverged': {f'adapt@{k}': round(mean(at(k)), 4) for k in (0, 1, 5, 10)},
        'adapt@10': {'median': round(v10[len(v10) // 2], 4), 'p99': round(v10[int(0.99 * len(v10))], 3), 'max': round(v10[-1], 2),
                     'worst1pct_share': round(sum(v10[-len(v10) // 100:]) / sum(v10), 3)},
        'blocks_of_100': {'count': len(blocks), 'with_a_diverged_sine': len(blocks) - len(finite_blocks),
                          'adapt@10_min_median_max': [round(finite_blocks[0], 3), round(finite_blocks[len(finite_blocks) // 2], 3), round(finite_blocks[-1], 3)],
                          'at_or_below_0.33': sum(b <= 0.33 for b in finite_blocks)},
        'diverged_sines': [{'index': i, 'amplitude': round(amp, 2), 'support_x': sorted(round(x, 2) for x in xs), 'adapt@0,1,2,3': [float(f'{v:.3g}') for v in c[:4]]}
                           for i, amp, xs, c in diverged],
    }))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['check', 'train', 'score'])
    ap.add_argument('weights', nargs='?')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--iters', type=int, default=70000)
    ap.add_argument('--out')
    ap.add_argument('--sines', default='600x10')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--looped', action='store_true', help="train: the reference's own loop and draw order")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    {'check': lambda: check(), 'train': lambda: train(a), 'score': lambda: score(a)}[a.command]()


if __name__ == '__main__':
    main()
