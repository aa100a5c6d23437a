/** Registers every built-in neuron and device model. */
import './iaf_psc_delta.js';
