/** Registers every built-in synapse model. */
import './static_synapse.js';
import './stdp_synapse.js';
