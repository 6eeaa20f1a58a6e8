// The microphone's samples, handed to the page as they arrive (the page resamples and sends them).
class AtomCapture extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}

registerProcessor("atom-capture", AtomCapture);
