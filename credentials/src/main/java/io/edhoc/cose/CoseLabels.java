package io.edhoc.cose;

/** Labels of COSE header parameters, COSE_Key parameters and CWT claims that EDHOC uses. */
public final class CoseLabels {
  private CoseLabels() {}

  // COSE header parameters (RFC 9052, RFC 9360, RFC 9528 section 10.6)
  public static final int HDR_ALG = 1;
  public static final int HDR_KID = 4;
  public static final int HDR_KCWT = 13;
  public static final int HDR_KCCS = 14;
  public static final int HDR_X5BAG = 32;
  public static final int HDR_X5CHAIN = 33;
  public static final int HDR_X5T = 34;
  public static final int HDR_X5U = 35;

  // COSE_Key parameters
  public static final int KEY_KTY = 1;
  public static final int KEY_KID = 2;
  public static final int KEY_ALG = 3;
  public static final int KEY_CRV = -1;
  public static final int KEY_X = -2;
  public static final int KEY_Y = -3;
  public static final int KEY_D = -4;
  public static final int KEY_K = -1;

  // CWT claims (RFC 8392, RFC 8747)
  public static final int CLAIM_ISS = 1;
  public static final int CLAIM_SUB = 2;
  public static final int CLAIM_EXP = 4;
  public static final int CLAIM_NBF = 5;
  public static final int CLAIM_CNF = 8;
  public static final int CNF_COSE_KEY = 1;

  // COSE algorithms for x5t
  public static final int ALG_SHA256_64 = -15;
  public static final int ALG_SHA256 = -16;
}
