"""Capacity-protocol epochs of the z-factor network in float32 PyTorch on the CPU (2 threads),
the peer of bench/consolidation.bench.ts. Expressed from the equations of the consolidation
spec, following the original implementation's operations one for one:

  1. W = prod_k u                                   (N x N from N x N x z)
  2. h = W @ X - theta                              (N x M; X is N x M, float32)
  3. phase A: mu* = argmin_mu y*h; G = y[i,mu*] * X[:, mu*]^T; dtheta = -eta_theta * y[i,mu*]
     phase B: l = exp(-beta (|h| - min|h|) / Hbar); m = l sgn(h) / sum l; G = m @ X^T;
              dtheta = -eta_theta * sum_mu m; Hbar = mean |h|
  4. dw/du: u[:, :, None, :] ** E with E = 1 - I (z x z), then prod over the last axis
            (an N x N x z x z tensor, as the original forms it)
  5. mask = W > 1e-10 (before the update); u += eta * G[..., None] * dw/du * mask[..., None]
  6. clip: u = max(u * mask, 1e-20); diagonal factors = 0
  7. normalise: c = sum_{j,k} u^2 / (z L); u = u / sqrt(c)
  8. W = prod_k u; theta += dtheta

Usage: /usr/bin/python3 bench/consolidation/torch_epoch.py STATE_DIR WARMUP EPOCHS
STATE_DIR holds meta.json, u.f32 (N*N*z), theta.f64 (N), x.u8 (M*N, pattern-major) written by
the TypeScript benchmark. Prints one JSON line with ms per epoch of each phase.
"""
import json
import sys
import time

import numpy as np
import torch


def main():
    state_dir, warmup, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(2)
    meta = json.load(open(f"{state_dir}/meta.json"))
    n, m, z = meta["n"], meta["m"], meta["z"]
    L, eta, eta_theta, beta = meta["L"], meta["eta"], meta["eta_theta"], meta["beta"]
    u0 = torch.from_numpy(np.fromfile(f"{state_dir}/u.f32", dtype=np.float32).reshape(n, n, z))
    theta0 = torch.from_numpy(np.fromfile(f"{state_dir}/theta.f64", dtype=np.float64).astype(np.float32))
    X = torch.from_numpy(np.fromfile(f"{state_dir}/x.u8", dtype=np.uint8).reshape(m, n).T.astype(np.float32).copy())
    Y = 2 * X - 1
    E = 1 - torch.eye(z)
    diag = torch.eye(n, dtype=torch.bool)

    def epoch(u, theta, hbar, phase):
        W = torch.prod(u, dim=2)
        mask = (W > 1e-10).float()
        h = W @ X - theta[:, None]
        if phase == "A":
            yh = Y * h
            idx = torch.argmin(yh, dim=1)
            ystar = Y[torch.arange(n), idx]
            G = ystar[:, None] * X[:, idx].T
            dtheta = -eta_theta * ystar
            hbar = h.abs().mean(dim=1)
        else:
            a = h.abs()
            ell = torch.exp(-beta * (a - a.min(dim=1, keepdim=True).values) / hbar[:, None])
            mm = ell * torch.sign(h) / ell.sum(dim=1, keepdim=True)
            G = mm @ X.T
            dtheta = -eta_theta * mm.sum(dim=1)
            hbar = a.mean(dim=1)
        dwdu = torch.prod(u[:, :, None, :] ** E[None, None, :, :], dim=3)
        u = u + eta * G[:, :, None] * dwdu * mask[:, :, None]
        u = torch.clamp(u * mask[:, :, None], min=1e-20)
        u[diag] = 0
        c = (u ** 2).sum(dim=(1, 2)) / (z * L)
        u = u / torch.sqrt(c)[:, None, None]
        theta = theta + dtheta
        return u, theta, hbar

    out = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "n": n, "m": m, "z": z}
    with torch.no_grad():
        for phase in ("A", "B"):
            u, theta = u0.clone(), theta0.clone()
            hbar = (torch.prod(u, dim=2) @ X - theta[:, None]).abs().mean(dim=1)
            for _ in range(warmup):
                u, theta, hbar = epoch(u, theta, hbar, phase)
            t0 = time.perf_counter()
            c0 = time.process_time()
            for _ in range(epochs):
                u, theta, hbar = epoch(u, theta, hbar, phase)
            out[f"ms_per_epoch_{phase}"] = 1000 * (time.perf_counter() - t0) / epochs
            out[f"cpu_ms_per_epoch_{phase}"] = 1000 * (time.process_time() - c0) / epochs
    print(json.dumps(out))


if __name__ == "__main__":
    main()
