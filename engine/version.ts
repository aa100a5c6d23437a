/** Engine name and version written into every recorder file. */
export const ENGINE_NAME = 'spikeflow';
export const ENGINE_VERSION = '0.1.0';
