"""A minimal PyTorch HTTP baseline for `workbench bench serve` (comparison only).

Serves LeNet-5 (the same weights file, loaded with safetensors) at
POST /v2/models/lenet5/infer with KServe v2 JSON, one request per forward pass
(no batching), on http.server's ThreadingHTTPServer with HTTP/1.1 keep-alive.
Usage: serve_torch_baseline.py WEIGHTS PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
from safetensors.torch import load_file
from torch_lenet5 import LeNet5

torch.set_num_threads(1)




model = LeNet5()
model.load_state_dict(load_file(sys.argv[1]))
model.eval()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        t = json.loads(body)["inputs"][0]
        x = torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])
        with torch.no_grad():
            y = model(x)
        out = json.dumps({"model_name": "lenet5", "outputs": [
            {"name": "output", "datatype": "FP32", "shape": list(y.shape), "data": y.flatten().tolist()}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
