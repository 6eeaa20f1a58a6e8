// The microphone as Atom hears it: 16 kHz mono 16-bit PCM, handed over in chunks of 100 ms.
// An AudioWorklet captures it where the browser has one, a ScriptProcessor where it does not.
export const RATE = 16000;
const CHUNK = RATE / 10;

export function microphoneAvailable() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.AudioContext);
}

// onChunk(ArrayBuffer) gets each chunk; close() lets the microphone go (the browser's indicator goes out).
export async function openMicrophone(onChunk) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const resampler = new Resampler(context.sampleRate, onChunk);
  const node = await captureNode(context, (samples) => resampler.push(samples));
  const mute = context.createGain();
  mute.gain.value = 0; // the graph must reach the speakers to run, but nobody should hear themselves
  source.connect(node);
  node.connect(mute);
  mute.connect(context.destination);
  return {
    close() {
      resampler.flush();
      for (const track of stream.getTracks()) track.stop();
      context.close();
    },
  };
}

async function captureNode(context, take) {
  if (context.audioWorklet) {
    await context.audioWorklet.addModule("/static/js/pages/voice-worklet.js");
    const node = new AudioWorkletNode(context, "atom-capture");
    node.port.onmessage = (message) => take(message.data);
    return node;
  }
  const node = context.createScriptProcessor(4096, 1, 1);
  node.onaudioprocess = (event) => take(new Float32Array(event.inputBuffer.getChannelData(0)));
  return node;
}

// Down to 16 kHz by averaging each output sample's span of input (a crude low-pass against aliasing).
class Resampler {
  constructor(fromRate, onChunk) {
    this.step = fromRate / RATE;
    this.onChunk = onChunk;
    this.carry = new Float32Array(0);
    this.position = 0;
    this.out = new Int16Array(CHUNK);
    this.filled = 0;
  }

  push(samples) {
    const buffer = new Float32Array(this.carry.length + samples.length);
    buffer.set(this.carry);
    buffer.set(samples, this.carry.length);
    while (this.position + this.step <= buffer.length) {
      const start = Math.floor(this.position);
      const end = Math.max(start + 1, Math.floor(this.position + this.step));
      let sum = 0;
      for (let i = start; i < end; i += 1) sum += buffer[i];
      this.emit(sum / (end - start));
      this.position += this.step;
    }
    const used = Math.floor(this.position);
    this.carry = buffer.slice(used);
    this.position -= used;
  }

  emit(value) {
    this.out[this.filled] = Math.max(-1, Math.min(1, value)) * 0x7fff;
    this.filled += 1;
    if (this.filled === CHUNK) this.flush();
  }

  flush() {
    if (!this.filled) return;
    this.onChunk(this.out.slice(0, this.filled).buffer);
    this.filled = 0;
  }
}

// A WAV file (16 kHz mono 16-bit) of the chunks, for routes that take a recording whole.
export function wavOf(chunks) {
  const length = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const view = new DataView(new ArrayBuffer(44 + length));
  const text = (at, value) => [...value].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + length, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, length, true);
  let at = 44;
  for (const chunk of chunks) {
    new Uint8Array(view.buffer, at, chunk.byteLength).set(new Uint8Array(chunk));
    at += chunk.byteLength;
  }
  return new Blob([view.buffer], { type: "audio/wav" });
}
