using System;
using System.Security.Cryptography;
using System.Text;

namespace Serve;

/// <summary>GET /: draw on a 28×28 canvas or upload an image; see the probabilities and the input the model received.</summary>
internal static class Page
{
    /// <summary>
    /// The page's Content-Security-Policy: its one inline script and one inline style by their SHA-256 hashes, requests
    /// to this origin only, no plug-ins, no framing by other sites.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; script-src '{Hash("script")}'; style-src '{Hash("style")}'; connect-src 'self'; img-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static string Hash(string element)
    {
        int start = Html.IndexOf($"<{element}>", StringComparison.Ordinal) + element.Length + 2;
        int end = Html.IndexOf($"</{element}>", start, StringComparison.Ordinal);
        if (start < element.Length + 2 || end < 0 || Html.IndexOf($"<{element}", end, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"The page must have exactly one inline <{element}>.");
        return "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Html[start..end])));
    }

    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CompiledNet · Fashion-MNIST</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 76rem; }
  @media (max-width: 40rem) { body { margin: 1rem; } }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  p.note { color: #666; margin-top: 0; }
  .row { display: flex; gap: 2rem; flex-wrap: wrap; align-items: flex-start; }
  .panel { display: flex; flex-direction: column; gap: .5rem; min-width: 0; max-width: 100%; }
  canvas { border: 1px solid #999; image-rendering: pixelated; background: #000; touch-action: none; align-self: flex-start; }
  #bars { display: grid; grid-template-columns: 7rem minmax(3rem, 14rem) 3.5rem; gap: .25rem .5rem; align-items: center; font-size: .9rem; }
  .bar { height: .9rem; background: #3b7dd8; }
  .best { font-weight: bold; }
  #result { font-size: 1.2rem; min-height: 1.6rem; }
  #error { color: #b00020; min-height: 1.2rem; }
  button { padding: .3rem .8rem; }
</style>
</head>
<body>
<h1>Fashion-MNIST with CompiledNet</h1>
<p class="note">Draw a piece of clothing (light on black, like the training images) or upload a PNG/JPEG. The image is scaled to 28×28 grey (longer side to 28, centred); a light background is inverted.</p>
<div class="row">
  <div class="panel">
    <strong>Draw</strong>
    <canvas id="draw" width="280" height="280"></canvas>
    <div><button id="predict">Predict drawing</button> <button id="clear">Clear</button></div>
    <strong>or upload</strong>
    <input id="file" type="file" accept="image/png,image/jpeg">
  </div>
  <div class="panel">
    <strong>What the model received (28×28)</strong>
    <canvas id="seen" width="168" height="168"></canvas>
    <div id="result" data-class=""></div>
    <div id="error"></div>
  </div>
  <div class="panel">
    <strong>Probabilities</strong>
    <div id="bars"></div>
  </div>
</div>
<script>
const grid = new Float32Array(784);
const draw = document.getElementById('draw'), dctx = draw.getContext('2d');
const seen = document.getElementById('seen'), sctx = seen.getContext('2d');
function paintGrid(ctx, values, scale) {
  const img = ctx.createImageData(28 * scale, 28 * scale);
  for (let y = 0; y < 28 * scale; y++) for (let x = 0; x < 28 * scale; x++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[Math.floor(y / scale) * 28 + Math.floor(x / scale)])));
    const o = 4 * (y * 28 * scale + x); img.data[o] = img.data[o + 1] = img.data[o + 2] = v; img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
let down = false, last = null;
function dab(gx, gy, done) {
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const d2 = (x + .5 - gx) ** 2 + (y + .5 - gy) ** 2, k = y * 28 + x;
    if (done.has(k)) continue;
    if (d2 < 1) { grid[k] = 1; done.add(k); }
    else if (d2 < 2.5) { grid[k] = Math.max(grid[k], .5); }
  }
}
function stroke(e) {
  const r = draw.getBoundingClientRect();
  const gx = (e.clientX - r.left) / r.width * 28, gy = (e.clientY - r.top) / r.height * 28;
  const from = last || { x: gx, y: gy }, steps = Math.max(1, Math.ceil(4 * Math.hypot(gx - from.x, gy - from.y)));
  const done = new Set();
  for (let i = 1; i <= steps; i++) dab(from.x + (gx - from.x) * i / steps, from.y + (gy - from.y) * i / steps, done);
  last = { x: gx, y: gy };
  paintGrid(dctx, grid, 10);
}
draw.addEventListener('pointerdown', e => { down = true; last = null; stroke(e); });
draw.addEventListener('pointermove', e => { if (down) stroke(e); });
window.addEventListener('pointerup', () => { down = false; last = null; });
document.getElementById('clear').onclick = () => { grid.fill(0); paintGrid(dctx, grid, 10); };
document.getElementById('predict').onclick = () =>
  send(fetch('/predict', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Array.from(grid)) }));
document.getElementById('file').onchange = e => {
  const f = e.target.files[0]; if (!f) return;
  const form = new FormData(); form.append('image', f);
  send(fetch('/predict', { method: 'POST', body: form }));
};
async function send(request) {
  const error = document.getElementById('error'), result = document.getElementById('result');
  error.textContent = '';
  let response, body;
  try { response = await request; body = await response.json(); }
  catch (e) { error.textContent = 'No answer from the service: ' + e; return; }
  if (!response.ok) { error.textContent = body.detail || body.title || response.statusText; return; }
  paintGrid(sctx, body.input, 6);
  result.textContent = 'Predicted: ' + body.name + ' (class ' + body.class + ')';
  result.dataset.class = body.class;
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const bars = document.getElementById('bars'); bars.innerHTML = '';
  body.probabilities.forEach((p, k) => {
    const label = document.createElement('span'); label.textContent = names[k]; if (k === body.class) label.className = 'best';
    const bar = document.createElement('div'); bar.className = 'bar'; bar.style.width = (100 * p).toFixed(1) + '%';
    const value = document.createElement('span'); value.textContent = (100 * p).toFixed(1) + '%';
    bars.append(label, bar, value);
  });
}
paintGrid(dctx, grid, 10); paintGrid(sctx, grid, 6);
</script>
</body>
</html>
""";
}
